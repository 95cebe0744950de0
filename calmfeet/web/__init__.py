"""calmfeet in a browser: `calmfeet serve` (the optional `web` extra)."""
