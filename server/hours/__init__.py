"""Service hours: weekly windows plus a calendar of holidays and make-up workdays."""
