"""Setting a creator up: twins, voices, likeness, consent, policy, brand, campaigns, assets."""

__all__: list[str] = []
