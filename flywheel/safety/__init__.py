"""Safety: one classifier with one taxonomy, used to filter training data, to moderate serving and
to red-team candidate models before promotion."""
