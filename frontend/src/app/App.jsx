import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { Loading } from "../components/ui.jsx";
import { I18nProvider } from "../lib/i18n.jsx";
import { SessionProvider, useSession } from "../lib/session.jsx";
import { Layout } from "./Layout.jsx";

// Sign-in is on the first page; every other screen (and the calendar library) loads on demand.
import { LoginPage, RegisterPage } from "../features/auth/index.js";

const loadBooking = () => import("../features/booking/components/BookingPage.jsx");
const loadMyAppointments = () => import("../features/my-appointments/components/MyAppointmentsPage.jsx");
const loadAppointment = () => import("../features/my-appointments/components/AppointmentPage.jsx");
const BookingPage = lazy(loadBooking);
const MyAppointmentsPage = lazy(loadMyAppointments);
const AppointmentPage = lazy(loadAppointment);

// The screen a page load opens starts downloading at once, alongside the session check (/api/me), instead of
// after it: one round trip less on a slow phone. (ES modules load once: lazy() reuses the same download.)
const EARLY = [[/^\/book\/?$/, loadBooking], [/^\/appointments\/?$/, loadMyAppointments], [/^\/appointments\/\d+\/?$/, loadAppointment]];
export function preloadScreen(path) {
  const found = EARLY.find(([pattern]) => pattern.test(path));
  if (found) found[1]().catch(() => {}); // a failed preload is retried by lazy() when the screen renders
}
const WaitlistPage = lazy(() => import("../features/waitlist/components/WaitlistPage.jsx"));
const MyRecordPage = lazy(() => import("../features/records/components/MyRecordPage.jsx"));
const PatientRecordPage = lazy(() => import("../features/records/components/PatientRecordPage.jsx"));
const ForgotPasswordPage = lazy(() => import("../features/auth/components/ForgotPasswordPage.jsx"));
const ResetPasswordPage = lazy(() => import("../features/auth/components/ResetPasswordPage.jsx"));
const AccountPage = lazy(() => import("../features/account/components/AccountPage.jsx"));
const AgendaPage = lazy(() => import("../features/agenda/components/AgendaPage.jsx"));
const SchedulePage = lazy(() => import("../features/schedule/components/SchedulePage.jsx"));
const DeskPage = lazy(() => import("../features/desk/components/DeskPage.jsx"));
const AdminPage = lazy(() => import("../features/admin/components/AdminPage.jsx"));
const VerifyEmailPage = lazy(() => import("../features/auth/components/VerifyEmailPage.jsx"));
const ManagePage = lazy(() => import("../features/manage/components/ManagePage.jsx"));

export const HOME = { patient: "/book", doctor: "/agenda", receptionist: "/desk", admin: "/admin" };

/** Where to go after signing in: the page that asked for it (an emailed link), if it is one of ours. */
export function returnPath(state) {
  const from = state?.from;
  return typeof from === "string" && from.startsWith("/") && !from.startsWith("//") && !from.startsWith("/login")
    ? from : null;
}

function Guard({ roles, children }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!user) {
    // Signing in returns here (e.g. the "manage your appointment" link of an email).
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}${location.hash}` }} />;
  }
  if (roles && !roles.includes(user.role)) return <Navigate to={HOME[user.role] || "/"} replace />;
  return children;
}

function Home() {
  const { user, loading } = useSession();
  if (loading) return <Loading />;
  return <Navigate to={user ? HOME[user.role] || "/account" : "/login"} replace />;
}

function AnonymousOnly({ children }) {
  const { user, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (user) return <Navigate to={returnPath(location.state) || HOME[user.role] || "/"} replace />;
  return children;
}

const guarded = (roles, element) => <Guard roles={roles}>{element}</Guard>;

/** Booking is open to visitors (the account is asked for at confirmation) and to patients. */
function PatientOrVisitor({ children }) {
  const { user, loading } = useSession();
  if (loading) return <Loading />;
  if (user && user.role !== "patient") return <Navigate to={HOME[user.role] || "/"} replace />;
  return children;
}

export function AppRoutes() {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/login" element={<AnonymousOnly><LoginPage /></AnonymousOnly>} />
          <Route path="/register" element={<AnonymousOnly><RegisterPage /></AnonymousOnly>} />
          <Route path="/forgot-password" element={<AnonymousOnly><ForgotPasswordPage /></AnonymousOnly>} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route path="/a/:token" element={<ManagePage />} />
          <Route path="/book" element={<PatientOrVisitor><BookingPage /></PatientOrVisitor>} />
          <Route path="/appointments" element={guarded(["patient"], <MyAppointmentsPage />)} />
          <Route path="/appointments/:appointmentId" element={guarded(["patient"], <AppointmentPage />)} />
          <Route path="/waitlist" element={guarded(["patient"], <WaitlistPage />)} />
          <Route path="/record" element={guarded(["patient"], <MyRecordPage />)} />
          <Route path="/patients/:patientId/record" element={guarded(["doctor", "admin"], <PatientRecordPage />)} />
          <Route path="/account" element={guarded(null, <AccountPage />)} />
          <Route path="/agenda" element={guarded(["doctor"], <AgendaPage />)} />
          <Route path="/schedule" element={guarded(["doctor"], <SchedulePage />)} />
          <Route path="/desk" element={guarded(["receptionist", "admin"], <DeskPage />)} />
          <Route path="/admin" element={guarded(["admin"], <AdminPage />)} />
          <Route path="*" element={<Home />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}

/** `client`: the app's one query client (lib/query-client.js), created by main.jsx, never per render. */
export function App({ client }) {
  return (
    <QueryClientProvider client={client}>
      <I18nProvider>
        <SessionProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </SessionProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
}
