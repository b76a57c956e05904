"""The web checklist: views, forms and templates. Views stay thin; the core decides."""
