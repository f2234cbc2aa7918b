"""The training-record ledger (hồ sơ đào tạo): append-only."""
