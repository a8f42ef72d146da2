"""Is our NPS already gamed? (placeholder: the lead takes diag-science's __init__)."""
