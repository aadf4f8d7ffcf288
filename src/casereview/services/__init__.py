"""Read the store and shape the figures: sampling, findings, agreement, shortfalls, trend."""
