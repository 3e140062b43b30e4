"""What the chat UI and the CLI both do to the corpus and the index, in one place each."""
