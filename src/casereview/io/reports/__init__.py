"""Reports: the blocks a report is made of, and its Markdown and Word forms."""
