"""attest's admin views, view sets, filters and log formatters; ``attest/wagtail_hooks.py`` registers them."""
