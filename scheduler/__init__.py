"""Scheduled jobs: named jobs on APScheduler with an explicit timezone, one trampoline, exactly-once fires."""
