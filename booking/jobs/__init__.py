"""Work done after a commit, outside any request's transaction: sending refunds."""
