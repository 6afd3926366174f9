"""The tenant: a certifying body (certificerende instelling, CKI)."""
