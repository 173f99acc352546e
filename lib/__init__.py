"""Account Desk: the product. Nothing here imports streamlit except lib/ui*.py."""
