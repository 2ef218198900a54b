"""Results: columns shared by workers, per-question results, filters, cross-tabulation."""
