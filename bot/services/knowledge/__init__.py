"""Knowledge: recorded decisions, questions answered from them, escalations a reviewer answers,
feedback on answers, and the search index they all feed."""
