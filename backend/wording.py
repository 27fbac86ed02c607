"""Small pieces of Italian the backend's messages share."""


def join_it(items: list[str]) -> str:
    """«a», «a e b», «a, b e c»."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " e " + items[-1]
