"""Application logic. Never imports streamlit (tests/test_architecture.py enforces it)."""
