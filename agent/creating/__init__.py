"""Creating helpers: platform caption limits, quality checks, consent."""
