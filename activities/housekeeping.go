package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/topdossier/topdossier/db/platform"
)

// HousekeepingInput says how long login traces are kept.
type HousekeepingInput struct {
	// SessionIdle ends sessions unused this long (the server refuses them
	// already; this removes the rows).
	SessionIdle time.Duration
	// KeepLoginAttempts is how long failed and successful login attempts
	// stay for the rate limits and for inquiry.
	KeepLoginAttempts time.Duration
}

// HousekeepingResult counts what was removed.
type HousekeepingResult struct {
	Sessions, LoginAttempts, Activations int64
}

// ActivityHousekeep is the registered name of Housekeep.
const ActivityHousekeep = "Housekeep"

// Housekeep removes expired sessions, old login attempts and used or
// expired activation links from the platform database. Running it twice
// removes nothing more.
func (a *Activities) Housekeep(ctx context.Context, in HousekeepingInput) (HousekeepingResult, error) {
	q := platform.New(a.Tenants.Platform())
	now := time.Now()
	var r HousekeepingResult
	var err error
	if r.Sessions, err = q.DeleteExpiredSessions(ctx, now.Add(-in.SessionIdle)); err != nil {
		return r, fmt.Errorf("delete expired sessions: %w", err)
	}
	if r.LoginAttempts, err = q.DeleteOldLoginAttempts(ctx, now.Add(-in.KeepLoginAttempts)); err != nil {
		return r, fmt.Errorf("delete old login attempts: %w", err)
	}
	if r.Activations, err = q.DeleteOldActivations(ctx, now.Add(-in.KeepLoginAttempts)); err != nil {
		return r, fmt.Errorf("delete old activations: %w", err)
	}
	return r, nil
}
