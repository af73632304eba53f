"""HTTP plumbing shared by every domain's views: routing, validation, errors, OpenAPI."""
