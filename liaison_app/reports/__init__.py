"""Standard report export, office consolidation and shared xlsx styles."""
