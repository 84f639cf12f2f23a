"""Local fake servers speaking each platform's documented publishing protocol."""
