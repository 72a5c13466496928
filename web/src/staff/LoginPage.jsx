import React from 'react';

// To be built (issue 8).
export default function LoginPage() {
  return <p className="muted">LoginPage</p>;
}
