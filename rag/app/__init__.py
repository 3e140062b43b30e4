"""What a person uses: the CLI, the chat UI and the services and stores behind them."""
