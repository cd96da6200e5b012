"""`obsctl demo`."""
