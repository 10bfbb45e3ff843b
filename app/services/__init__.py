"""The domain layer: plain functions over plain values, no ``request`` in sight."""
