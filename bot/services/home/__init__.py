"""Each person's Home tab: their work per project they belong to."""
