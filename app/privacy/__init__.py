"""UU PDP: what Cakap holds about a person, for her to see and download."""
