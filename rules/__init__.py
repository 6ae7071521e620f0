"""The BS 11000 rule pack, installed as rmplint.pack (data only)."""
