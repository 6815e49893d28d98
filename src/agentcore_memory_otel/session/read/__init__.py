"""The read path: the ListEvents scan, history repair, the SDK's old layout."""
