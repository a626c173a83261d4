// Package mfadevice keeps the prompt state of MFA devices: one prompt at a
// time per device, and never the same code twice, since STS refuses a code
// it has seen. Several caches and chains may share a device, so a process
// keeps one Registry for all of them.
package mfadevice

import (
	"context"
	"sync"
	"time"
)

// ReuseWindow is how long a code counts as used: STS accepts a TOTP code
// for its 30-second step and one step either side, so the same digits after
// this are a new code, not a replay.
const ReuseWindow = 2 * time.Minute

// Registry holds the devices by serial. It is safe for concurrent use.
type Registry struct {
	mu sync.Mutex         // guards m
	m  map[string]*Device // by serial; entries are never removed
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]*Device{}} }

// Get returns the device of serial, made on first use.
func (r *Registry) Get(serial string) *Device {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.m[serial]
	if !ok {
		d = &Device{turn: make(chan struct{}, 1)}
		r.m[serial] = d
	}
	return d
}

// Device is the prompt state of one MFA device.
type Device struct {
	turn chan struct{} // holding its one slot is the right to prompt for this device

	mu     sync.Mutex // guards last, lastAt
	last   string     // the last code handed out for sending
	lastAt time.Time  // when, on the clock of the cache that asked
}

// Turn waits for the right to prompt for the device, until ctx ends; the
// returned function gives it back.
func (d *Device) Turn(ctx context.Context) (release func(), err error) {
	select {
	case d.turn <- struct{}{}:
		return func() { <-d.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Claim records code as the device's last one at now, unless it is the
// code handed out last, within ReuseWindow: then it reports false.
func (d *Device) Claim(code string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if code == d.last && now.Sub(d.lastAt) < ReuseWindow {
		return false
	}
	d.last, d.lastAt = code, now
	return true
}
