//! Reading contacts and activities from CSV and JSON Lines files.
