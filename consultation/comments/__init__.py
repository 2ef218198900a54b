"""Comments: the resident's pages, intake (screening and near-duplicates), receipts, moderation."""
