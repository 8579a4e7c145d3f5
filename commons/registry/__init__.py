"""The register of urban commons: parks, squares, buildings the city can share."""
