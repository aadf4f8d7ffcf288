"""Files in: the CSV reader, the case pool's and the answers' imports."""
