"""Data models: pure, jittable samplers with their exact statistics where known."""
