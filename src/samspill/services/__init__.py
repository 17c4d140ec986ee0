"""Use cases that tie the store and the pure core: accounts, studies, codings, scoring, import."""
