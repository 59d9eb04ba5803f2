"""`relay cost`: what an environment costs a month, from its templates, params and a dated price table."""
