"""The creating node's steps: preparing an item (script, speech, render request), writing,
brand rules, platform caption limits, quality checks, consent, rendering in processes."""

__all__: list[str] = []
