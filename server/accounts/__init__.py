"""Staff accounts, their sessions, kiosk devices, the lawyer directory and permissions."""
