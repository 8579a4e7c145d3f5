"""Impact: indicator frameworks as data and the figures monitoring reports record with them."""
