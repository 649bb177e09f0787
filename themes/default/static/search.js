/* Search UI for /search/. Placeholder: the real script is written separately (Pagefind front end). */
