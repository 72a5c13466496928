import React, { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, getToken, setToken, setUnauthorizedHandler } from './api.js';

const AuthContext = createContext(null);

export function AuthProvider({ children }) {
  const [me, setMe] = useState(null);
  const [loading, setLoading] = useState(Boolean(getToken()));
  const navigate = useNavigate();

  // 退出 revokes the token on the server (POST /auth/logout), so a copied token stops working;
  // the local session ends even when the service cannot be reached.
  const logout = useCallback(async () => {
    if (getToken()) {
      try {
        await api.post('/auth/logout');
      } catch {
        // already expired or offline: nothing left to revoke from here
      }
    }
    setToken(null);
    setMe(null);
    navigate('/login');
  }, [navigate]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setToken(null);
      setMe(null);
      navigate('/login');
    });
    if (getToken()) {
      api.get('/me').then(setMe).catch(() => setToken(null)).finally(() => setLoading(false));
    }
  }, [navigate]);

  const login = useCallback(async (username, password) => {
    const { token } = await api.post('/auth/token', { username, password });
    setToken(token);
    const who = await api.get('/me');
    setMe(who);
    return who;
  }, []);

  return <AuthContext.Provider value={{ me, loading, login, logout }}>{children}</AuthContext.Provider>;
}

export function useAuth() {
  return useContext(AuthContext);
}
