"""The model zoo: real, trained models the mock server runs."""
