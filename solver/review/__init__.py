"""Committee review: explanations, shortlists, decisions and the review packet."""
