"""Streamlit helpers shared by app.py and the pages: sign-in, the guard, small widgets."""
