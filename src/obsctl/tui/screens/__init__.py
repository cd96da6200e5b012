"""Modal screens: details of a series or an alert, and help."""
