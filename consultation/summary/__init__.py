"""Summary: the 征求意见情况说明 data, tables and documents, the packet, verification registration."""
