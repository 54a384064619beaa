"""Manage links: one-tap, no-sign-in links to one appointment (or one waitlist offer) in emails and SMS."""
