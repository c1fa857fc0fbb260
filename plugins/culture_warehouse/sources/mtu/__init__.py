"""MTU survey rounds (contracts/mtu.md): the question catalogue, invitations and wide responses."""
