import pytest

from screening.core.translit import latin_to_cyrillic


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Centar za socijalni rad", "Центар за социјални рад"),
        ("Ljubljana, NJEGOŠ, Džep", "Љубљана, ЊЕГОШ, Џеп"),
        ("đak ćup čaša šuma žaba", "ђак ћуп чаша шума жаба"),
        ("injekcija", "инјекција"),  # n + j, not nj
        ("konjunktura", "конјунктура"),
        ("nadživeti", "надживети"),  # d + ž, not dž
        ("odžaliti", "оджалити"),
        ("Pozovite {number} odmah", "Позовите {number} одмах"),
        ("Korak %(position)s od %(total)s", "Корак %(position)s од %(total)s"),
        ("ILO indikatori: gen.debt_bondage", "ILO индикатори: gen.debt_bondage"),
    ],
)
def test_serbian_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic
